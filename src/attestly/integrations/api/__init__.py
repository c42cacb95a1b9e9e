"""/api/v1/integrations/, /connections/, /runs/."""
