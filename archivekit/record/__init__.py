"""The record: its model, field checks, AP dates, the text parser and writer, its JSON Schema."""
