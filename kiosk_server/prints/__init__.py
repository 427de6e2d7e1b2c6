"""Everything printed or shown with a QR code: cards, invitations, badges, and batches of them."""
