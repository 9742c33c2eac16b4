"""The labelled evaluation set of the free-text detectors (tutela.collect.detect).

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket".
"""
