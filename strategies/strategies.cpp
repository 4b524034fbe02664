// Translation unit anchor for kis_strategies until the API lands.
