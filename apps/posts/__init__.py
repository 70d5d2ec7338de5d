"""Posts: copy and graphics generated in a brand's voice, review and approval, publishing."""
