"""Who someone is and whom a thing concerns: roles derived from the data, audiences, and the
permissions every feature shares."""
