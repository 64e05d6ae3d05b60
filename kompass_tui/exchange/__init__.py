"""What goes out of and into the database as files: export (CSV, JSON, JSON Lines, HTML) and
import, against the record format's JSON Schema."""
