"""A numpy-backed stand-in for the slice of torch that convert_hf_to_gguf.py uses on its eager path
(--no-lazy) for Llama/Qwen/Phi-3/Gemma safetensors checkpoints: dtypes, from_numpy/view/reshape/swapaxes,
.to(float32) (bf16 widened exactly), .numpy(), elementwise + with a scalar, tensor/arange/pow for rope
factors. It lets the real converter run where PyPI (and so torch) is unreachable. Test-only."""
import builtins
import contextlib
import numpy as np


class dtype:
    def __init__(self, name, np_dtype, itemsize):
        self.name, self.np, self.itemsize = name, np_dtype, itemsize

    def __repr__(self):
        return f"torch.{self.name}"


float64 = dtype("float64", np.float64, 8)
float32 = dtype("float32", np.float32, 4)
float16 = dtype("float16", np.float16, 2)
bfloat16 = dtype("bfloat16", None, 2)
int64 = dtype("int64", np.int64, 8)
int32 = dtype("int32", np.int32, 4)
int16 = dtype("int16", np.int16, 2)
int8 = dtype("int8", np.int8, 1)
uint8 = dtype("uint8", np.uint8, 1)
bool = dtype("bool", np.bool_, 1)  # noqa: A001 - torch.bool
float8_e4m3fn = dtype("float8_e4m3fn", np.uint8, 1)
float8_e5m2 = dtype("float8_e5m2", np.uint8, 1)
float = float32  # noqa: A001
half = float16

_BY_NP = {np.dtype(d.np): d for d in (float64, float32, float16, int64, int32, int16, int8, uint8)}


class Size(tuple):
    pass


class Tensor:
    def __init__(self, arr, dt):
        self._a = arr
        self.dtype = dt

    @property
    def shape(self):
        return Size(self._a.shape)

    @property
    def ndim(self):
        return self._a.ndim

    def dim(self):
        return self._a.ndim

    def numel(self):
        return int(self._a.size)

    def size(self, i=None):
        return self.shape if i is None else self._a.shape[i]

    def view(self, dt):
        raw = np.ascontiguousarray(self._a).view(np.uint8)
        return Tensor(raw.view(np.uint16 if dt is bfloat16 else dt.np), dt)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Tensor(self._a.reshape(shape), self.dtype)

    def swapaxes(self, a, b):
        return Tensor(self._a.swapaxes(a, b), self.dtype)

    def contiguous(self):
        return Tensor(np.ascontiguousarray(self._a), self.dtype)

    def to(self, dt, *args, **kwargs):
        if not isinstance(dt, dtype) or dt is self.dtype:
            return self
        if self.dtype is bfloat16:
            f = (self._a.astype(np.uint32) << 16).view(np.float32)
            return Tensor(f.astype(dt.np), dt)
        return Tensor(self._a.astype(dt.np), dt)

    def float(self):
        return self.to(float32)

    def numpy(self):
        if self.dtype is bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return self._a

    def __add__(self, other):
        # float16 + scalar is computed in float32 and rounded back, as torch does on CPU
        if isinstance(other, Tensor):
            other = other._a
        return Tensor((self._a.astype(np.float32) + other).astype(self._a.dtype), self.dtype)

    __radd__ = __add__

    # float32 arithmetic with Python scalars (NumPy 2 keeps float32, as torch does) for rope factor code
    def _op(self, other, f):
        o = other._a if isinstance(other, Tensor) else other
        return Tensor(np.asarray(f(self._a, o), dtype=self._a.dtype), self.dtype)

    def __sub__(self, o):
        return self._op(o, lambda a, b: a - b)

    def __rsub__(self, o):
        return self._op(o, lambda a, b: b - a)

    def __mul__(self, o):
        return self._op(o, lambda a, b: a * b)

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self._op(o, lambda a, b: a / b)

    def __rtruediv__(self, o):
        return self._op(o, lambda a, b: b / a)

    def __pow__(self, o):
        return self._op(o, lambda a, b: a ** b)

    def __rpow__(self, o):
        return self._op(o, lambda a, b: np.float32(b) ** a)

    def __lt__(self, o):
        return builtins.bool(self._a < (o._a if isinstance(o, Tensor) else np.float32(o)))

    def __gt__(self, o):
        return builtins.bool(self._a > (o._a if isinstance(o, Tensor) else np.float32(o)))

    def __float__(self):
        return builtins.float(self._a)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        for x in self._a:
            yield Tensor(np.asarray(x), self.dtype)


def from_numpy(a):
    return Tensor(a, _BY_NP[np.dtype(a.dtype)])


def tensor(data, dtype=None):
    dt = dtype or float32
    return Tensor(np.array([builtins.float(x._a) if isinstance(x, Tensor) else x for x in data], dtype=dt.np), dt)


def arange(start, end=None, step=1, dtype=None):
    if end is None:
        start, end = 0, start
    dt = dtype or int64
    return Tensor(np.arange(start, end, step).astype(dt.np), dt)


def inference_mode(mode=True):
    return contextlib.nullcontext()


no_grad = inference_mode
