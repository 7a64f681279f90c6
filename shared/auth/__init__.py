"""Who is asking: Firebase ID token verification and the three roles (reader, writer, admin)."""
