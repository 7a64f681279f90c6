"""The shared kernel: value types that the messages and the domain both speak, so neither imports the other
for them (messages → kernel ← domain)."""
