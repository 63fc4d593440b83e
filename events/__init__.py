"""The pure core of tracker: the event model, the event store and replay."""
