"""What the flows share: the operators' call context and value helpers, budget adjustments and suspensions (tables and operators), the year-wide eligibility rule, context helpers."""
