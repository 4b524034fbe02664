// Translation unit anchor for kis_sim until the simulator lands.
