"""Sign-up by poster: a phone form that makes a customer and their card, and walk-ins at an
event."""
