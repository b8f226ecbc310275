def load_demo():
    return False


def print_logins(echo):
    pass
