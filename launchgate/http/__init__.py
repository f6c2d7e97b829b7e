"""HTTP building blocks the web checks, smoke flows, the access check and the load test share.

`transport` is the wire: the shared `HttpContext` (configured headers, CA bundle, connect_to,
the private-target guard, deadlines) and error descriptions. `pages` is what is read over it:
bounded body reading, page parsing, URL and host helpers, redirect walking.
"""
