// Translation unit anchor for kis_actors until the roles land.
