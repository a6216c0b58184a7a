"""FHIR R4 export: ``resources`` maps instances to FHIR resources, ``api`` serves them under /api/v1/fhir/."""
