"""The producer portal under /producer/: what a producer's members see and do. It sits at the
top with admin and main, so its views may ask any service below (catalog, inventory, orders,
fulfilment, settlements); the rules themselves live in those services."""
