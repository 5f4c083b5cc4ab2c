"""Pages and endpoints that customers reach without an API key: unsubscribe links, and later forms and widgets."""
