"""The service layer: command handling, projections and outcomes, between the functions and the domain.

Functions stay thin entry points; the domain stays pure; this layer does the I/O in between (load,
decide, append, publish, record), written once for every aggregate and read model.
"""
