"""Integrations that read every feature app: the FHIR export. It sits above the feature apps; nothing imports it."""
