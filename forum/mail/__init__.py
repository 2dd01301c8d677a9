"""Optional, verified e-mail: password reset and a daily digest of unread notifications."""
