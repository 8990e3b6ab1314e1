"""KYC submissions and encrypted documents live here."""
