"""Write a GGUF with gguf-py's GGUFWriter; test/formats/gguf-py-crosscheck.test.ts writes the same with ours."""
import sys

import numpy as np
from gguf import GGMLQuantizationType, GGUFValueType, GGUFWriter

out, alignment = sys.argv[1], int(sys.argv[2])
w = GGUFWriter(out, "llama")
if alignment != 32:
    w.add_custom_alignment(alignment)
w.add_uint8("t.u8", 200)
w.add_int8("t.i8", -5)
w.add_uint16("t.u16", 60000)
w.add_int16("t.i16", -300)
w.add_uint32("t.u32", 4000000000)
w.add_int32("t.i32", -7)
w.add_float32("t.f32", 0.1)
w.add_uint64("t.u64", 2**63 + 5)
w.add_int64("t.i64", -(2**40))
w.add_float64("t.f64", 0.1)
w.add_bool("t.bool", True)
w.add_string("t.str", "héllo ✓")
w.add_array("t.strs", ["a", "Ġb", "<|x|>"])
w.add_array("t.ints", [1, -2, 3])
w.add_array("t.floats", [0.5, 1.25])
w.add_array("t.bools", [True, False])
w.add_array("t.nested", [[1, 2], [3]])
w.add_key_value("t.u8s", [1, 2, 3], GGUFValueType.ARRAY, sub_type=GGUFValueType.UINT8)
w.add_tensor("a", np.arange(6, dtype=np.float32).reshape(2, 3))
w.add_tensor("h", np.array([1.5, -2.0], dtype=np.float16))
w.add_tensor("q", np.arange(68, dtype=np.uint8).reshape(2, 34), raw_dtype=GGMLQuantizationType.Q8_0)
w.add_tensor("i", np.array([1, 2, 3], dtype=np.int32))
w.add_tensor("s", np.array(3.0, dtype=np.float32))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
