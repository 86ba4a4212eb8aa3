"""部门整体绩效: a department's year-wide goals, its self-evaluation, the finance bureau's evaluation and budget effect."""
