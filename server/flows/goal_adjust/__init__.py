"""绩效目标调整 (workflows/goal_adjust, forms/goal_adjust): builds on goal_review's tables and operators; registered in flow.py."""
