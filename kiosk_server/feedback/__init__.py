"""What customers say about their visits: feedback links on receipts, complaints."""
