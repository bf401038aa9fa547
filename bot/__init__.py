"""The Concierge stack: set-up, training, start and stop of the three processes
(dialogue engine, action server, web page), and the chat page itself."""
