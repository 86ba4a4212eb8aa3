"""Engine tests: real SpiffWorkflow, in memory, ManualClock."""
