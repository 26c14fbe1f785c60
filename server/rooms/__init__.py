"""The halls as rooms: who is where, authoritative movement, area of interest, snapshots."""
