"""tqdm stand-in (progress bars are not needed in tests)."""


class tqdm:
    def __init__(self, *args, **kwargs):
        pass

    def update(self, n=1):
        pass

    def set_description(self, *args, **kwargs):
        pass

    def reset(self, *args, **kwargs):
        pass

    def close(self):
        pass
