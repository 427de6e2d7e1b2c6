"""What the shop holds about a customer: the export of all of it, and erasure on request."""
