"""绩效目标编审 (workflows/goal_review, forms/goal_review): goal tables, quality warnings, reviews; registered in flow.py."""
