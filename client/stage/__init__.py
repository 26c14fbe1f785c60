"""云会议 in the client: the room's screens, the schedule panel and reminders, Q&A, reactions."""
