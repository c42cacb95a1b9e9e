"""Web: the page layout, sign-in, the workspace switcher and shared partials."""
