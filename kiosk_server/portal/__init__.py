"""The customer's own portal: one-time sign-in links, a session, their record to see and edit."""
