"""Letters to GP practices and patients: PDF rendering, approval and delivery through MESH."""
