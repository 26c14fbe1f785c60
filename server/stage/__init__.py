"""云会议: the conference centre's programme, reminders, Q&A, reactions and live streams."""
