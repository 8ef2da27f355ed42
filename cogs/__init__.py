"""Discord-facing extensions: one cog per feature, discovered automatically."""
