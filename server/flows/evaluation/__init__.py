"""评价·反馈整改·结果应用 (workflows/evaluation, forms/evaluation): evaluations, key evaluation, rectification; registered in flow.py."""
