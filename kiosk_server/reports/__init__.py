"""The owner's view of the whole: the dashboard's charts and the reports as files."""
