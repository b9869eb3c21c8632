"""The conversation: intents, the offline router, thread memory, the tool-calling agent, renderer-neutral messages.

`Assistant.handle` turns one message from the acting user into a `Message`; `Assistant.perform` runs a
button the user picked. Every action goes through the skills with the acting user the surface
authenticated: neither the model nor a button value ever says who acts.
"""
