"""Sign-up by poster: a phone form that makes a customer and their card; walk-ins at an
event."""
