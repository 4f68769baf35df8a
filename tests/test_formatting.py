"""Tensors must print exactly as torch prints them, down to each space.

Three layers of checks:
* a table of literal strings (captured from torch 2.13) that runs without torch,
  so the file still guards the format on a machine with only NumPy;
* the same table plus more awkward cases compared live with `repr(torch.tensor)`;
* hypothesis-drawn arrays (every dtype, 0-d to 4-d, magnitudes 1e-6..1e10,
  nan/inf/-0., non-contiguous views) and print options, compared with torch.
"""
import contextlib
import math

import numpy as np
import pytest

from engine import dtypes, formatting

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # the literal and table tests still run
    given = None

A = np.array
nan, inf = math.nan, math.inf
DTYPE_NAMES = ["float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool"]
PARAMETER = "Parameter containing:\ntensor("


class Case:
    """One tensor to print: its values and dtype, autograd flags, print options."""

    def __init__(self, name, values, dtype, requires_grad=False, grad_fn=None,
                 prefix="tensor(", options=None, expected=None):
        self.name, self.dtype, self.expected = name, dtype, expected
        self.values = np.asarray(values).astype(dtype, copy=False)  # keeps strided views
        self.requires_grad, self.grad_fn, self.prefix = requires_grad, grad_fn, prefix
        self.options = options or {}

    def engine_repr(self):
        with engine_options(**self.options):
            return formatting.tensor_repr(self.values, getattr(dtypes, self.dtype),
                                          self.requires_grad, self.grad_fn, self.prefix)

    def torch_repr(self, torch):
        # A copy: from_numpy needs a contiguous array, the views here may not be.
        t = torch.from_numpy(np.array(self.values, order="C"))
        if self.requires_grad or self.grad_fn:
            t.requires_grad_(True)
        if self.grad_fn:
            t = t * 1  # same values, now with grad_fn=<MulBackward0>
            assert type(t.grad_fn).__name__ == self.grad_fn
        if self.prefix == PARAMETER:
            t = torch.nn.Parameter(t, requires_grad=self.requires_grad)
        else:
            assert self.prefix == "tensor(", "no torch counterpart for this prefix"
        with torch_options(torch, **self.options):
            return repr(t)


@contextlib.contextmanager
def engine_options(**options):
    formatting.set_printoptions(**options)
    try:
        yield
    finally:
        formatting.set_printoptions(profile="default")


@contextlib.contextmanager
def torch_options(torch, **options):
    torch.set_printoptions(**options)
    try:
        yield
    finally:
        torch.set_printoptions(profile="default")


@pytest.fixture(scope="module")
def torch():
    # Module scope, so hypothesis tests may use it too.
    return pytest.importorskip(
        "torch", reason="real torch is not installed: the live comparisons with torch's repr are skipped")


def params(cases):
    return [pytest.param(c, id=c.name) for c in cases]


# Expected strings are what torch 2.13 printed for the same tensors.
CASES = [
    Case('integer_floats', A([1., 2., 3.]), 'float32',
         expected='tensor([1., 2., 3.])'),
    Case('decimals', A([1.5, -2.25, 0.]), 'float32',
         expected='tensor([ 1.5000, -2.2500,  0.0000])'),
    Case('rounding', A([0.1, 2/3, 12.345678]), 'float32',
         expected='tensor([ 0.1000,  0.6667, 12.3457])'),
    Case('scalar_int_valued_float', A(3.), 'float32',
         expected='tensor(3.)'),
    Case('scalar_float', A(1.5), 'float32',
         expected='tensor(1.5000)'),
    Case('scalar_int', A(7), 'int64',
         expected='tensor(7)'),
    Case('scalar_bool', A(True), 'bool',
         expected='tensor(True)'),
    Case('scalar_sci', A(1e-5), 'float32',
         expected='tensor(1.0000e-05)'),
    Case('scalar_nan', A(nan), 'float32',
         expected='tensor(nan)'),
    Case('scalar_negative_zero', A(-0.), 'float32',
         expected='tensor(-0.)'),
    Case('scalar_int32', A(5), 'int32',
         expected='tensor(5, dtype=torch.int32)'),
    Case('bools', A([True, False]), 'bool',
         expected='tensor([ True, False])'),
    Case('sci_small', A([1e-5, 1.]), 'float32',
         expected='tensor([1.0000e-05, 1.0000e+00])'),
    Case('sci_large', A([1e9, 1.]), 'float32',
         expected='tensor([1.0000e+09, 1.0000e+00])'),
    Case('sci_ratio', A([0.5, 600.25]), 'float32',
         expected='tensor([5.0000e-01, 6.0025e+02])'),
    Case('sci_int_valued', A([1., 2000.]), 'float32',
         expected='tensor([1.0000e+00, 2.0000e+03])'),
    Case('no_sci_ratio_1000', A([0.5, 499.75]), 'float32',
         expected='tensor([  0.5000, 499.7500])'),
    Case('nonfinite', A([nan, inf, -inf, 1.5]), 'float32',
         expected='tensor([   nan,    inf,   -inf, 1.5000])'),
    Case('nan_overflows_width', A([nan, 1.]), 'float32',
         expected='tensor([nan, 1.])'),
    Case('negative_zero', A([-0., 1.]), 'float32',
         expected='tensor([-0., 1.])'),
    Case('zeros_only', A([0., -0., nan]), 'float32',
         expected='tensor([0., -0., nan])'),
    Case('ints_aligned', A([1, -20, 300]), 'int64',
         expected='tensor([  1, -20, 300])'),
    Case('int32', A([1, 2]), 'int32',
         expected='tensor([1, 2], dtype=torch.int32)'),
    Case('int16', A([-1, 2]), 'int16',
         expected='tensor([-1,  2], dtype=torch.int16)'),
    Case('int8', A([-128, 127]), 'int8',
         expected='tensor([-128,  127], dtype=torch.int8)'),
    Case('uint8', A([0, 255]), 'uint8',
         expected='tensor([  0, 255], dtype=torch.uint8)'),
    Case('float16', A([0.1, 65504., 1.]), 'float16',
         expected='tensor([9.9976e-02, 6.5504e+04, 1.0000e+00], dtype=torch.float16)'),
    Case('float64', A([0.1, 0.2]), 'float64',
         expected='tensor([0.1000, 0.2000], dtype=torch.float64)'),
    Case('matrix', np.arange(4).reshape(2, 2), 'int64',
         expected='tensor([[0, 1],\n        [2, 3]])'),
    Case('three_d', np.arange(8.).reshape(2, 2, 2), 'float32',
         expected='tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])'),
    Case('four_d', np.arange(16).reshape(2, 2, 2, 2), 'int64',
         expected='tensor([[[[ 0,  1],\n          [ 2,  3]],\n\n         [[ 4,  5],\n          [ 6,  7]]],\n\n\n        [[[ 8,  9],\n          [10, 11]],\n\n         [[12, 13],\n          [14, 15]]]])'),
    Case('wrapped_row', np.arange(30.), 'float32',
         expected='tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n        28., 29.])'),
    Case('wrapped_rows_in_matrix', np.linspace(-1, 1, 40).reshape(2, 20), 'float32',
         expected='tensor([[-1.0000, -0.9487, -0.8974, -0.8462, -0.7949, -0.7436, -0.6923, -0.6410,\n         -0.5897, -0.5385, -0.4872, -0.4359, -0.3846, -0.3333, -0.2821, -0.2308,\n         -0.1795, -0.1282, -0.0769, -0.0256],\n        [ 0.0256,  0.0769,  0.1282,  0.1795,  0.2308,  0.2821,  0.3333,  0.3846,\n          0.4359,  0.4872,  0.5385,  0.5897,  0.6410,  0.6923,  0.7436,  0.7949,\n          0.8462,  0.8974,  0.9487,  1.0000]])'),
    Case('summarised', np.arange(2000), 'int64',
         expected='tensor([   0,    1,    2,  ..., 1997, 1998, 1999])'),
    Case('summarised_nested', np.arange(2000.).reshape(40, 50), 'float32',
         expected='tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n         4.9000e+01],\n        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n         9.9000e+01],\n        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n         1.4900e+02],\n        ...,\n        [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,\n         1.8990e+03],\n        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,\n         1.9490e+03],\n        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,\n         1.9990e+03]])'),
    Case('summarised_3d', np.arange(1100).reshape(11, 10, 10), 'int64',
         expected='tensor([[[   0,    1,    2,  ...,    7,    8,    9],\n         [  10,   11,   12,  ...,   17,   18,   19],\n         [  20,   21,   22,  ...,   27,   28,   29],\n         ...,\n         [  70,   71,   72,  ...,   77,   78,   79],\n         [  80,   81,   82,  ...,   87,   88,   89],\n         [  90,   91,   92,  ...,   97,   98,   99]],\n\n        [[ 100,  101,  102,  ...,  107,  108,  109],\n         [ 110,  111,  112,  ...,  117,  118,  119],\n         [ 120,  121,  122,  ...,  127,  128,  129],\n         ...,\n         [ 170,  171,  172,  ...,  177,  178,  179],\n         [ 180,  181,  182,  ...,  187,  188,  189],\n         [ 190,  191,  192,  ...,  197,  198,  199]],\n\n        [[ 200,  201,  202,  ...,  207,  208,  209],\n         [ 210,  211,  212,  ...,  217,  218,  219],\n         [ 220,  221,  222,  ...,  227,  228,  229],\n         ...,\n         [ 270,  271,  272,  ...,  277,  278,  279],\n         [ 280,  281,  282,  ...,  287,  288,  289],\n         [ 290,  291,  292,  ...,  297,  298,  299]],\n\n        ...,\n\n        [[ 800,  801,  802,  ...,  807,  808,  809],\n         [ 810,  811,  812,  ...,  817,  818,  819],\n         [ 820,  821,  822,  ...,  827,  828,  829],\n         ...,\n         [ 870,  871,  872,  ...,  877,  878,  879],\n         [ 880,  881,  882,  ...,  887,  888,  889],\n         [ 890,  891,  892,  ...,  897,  898,  899]],\n\n        [[ 900,  901,  902,  ...,  907,  908,  909],\n         [ 910,  911,  912,  ...,  917,  918,  919],\n         [ 920,  921,  922,  ...,  927,  928,  929],\n         ...,\n         [ 970,  971,  972,  ...,  977,  978,  979],\n         [ 980,  981,  982,  ...,  987,  988,  989],\n         [ 990,  991,  992,  ...,  997,  998,  999]],\n\n        [[1000, 1001, 1002,  ..., 1007, 1008, 1009],\n         [1010, 1011, 1012,  ..., 1017, 1018, 1019],\n         [1020, 1021, 1022,  ..., 1027, 1028, 1029],\n         ...,\n         [1070, 1071, 1072,  ..., 1077, 1078, 1079],\n         [1080, 1081, 1082,  ..., 1087, 1088, 1089],\n         [1090, 1091, 1092,  ..., 1097, 1098, 1099]]])'),
    Case('empty', np.zeros(0), 'float32',
         expected='tensor([])'),
    Case('empty_2d', np.zeros((0, 3)), 'float32',
         expected='tensor([], size=(0, 3))'),
    Case('empty_3d_int32', np.zeros((2, 0, 3)), 'int32',
         expected='tensor([], size=(2, 0, 3), dtype=torch.int32)'),
    Case('empty_int64', np.zeros(0), 'int64',
         expected='tensor([], dtype=torch.int64)'),
    Case('empty_bool', np.zeros(0), 'bool',
         expected='tensor([], dtype=torch.bool)'),
    Case('empty_float64', np.zeros((0,)), 'float64',
         expected='tensor([], dtype=torch.float64)'),
    Case('requires_grad', A([1., 2.]), 'float32', requires_grad=True,
         expected='tensor([1., 2.], requires_grad=True)'),
    Case('grad_fn', A([2., 4.]), 'float32', grad_fn='MulBackward0',
         expected='tensor([2., 4.], grad_fn=<MulBackward0>)'),
    Case('dtype_then_grad_fn', A([2., 4.]), 'float64', grad_fn='MulBackward0',
         expected='tensor([2., 4.], dtype=torch.float64, grad_fn=<MulBackward0>)'),
    Case('scalar_grad_fn', A(6.), 'float32', grad_fn='MulBackward0',
         expected='tensor(6., grad_fn=<MulBackward0>)'),
    Case('suffix_wraps_after_long_row', np.arange(28.), 'float64', requires_grad=True,
         expected='tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.],\n       dtype=torch.float64, requires_grad=True)'),
    Case('suffix_wraps_single_line', np.arange(9.) + 0.5, 'float64', requires_grad=True,
         expected='tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000, 8.5000],\n       dtype=torch.float64, requires_grad=True)'),
    Case('parameter_prefix', np.arange(20.), 'float32', requires_grad=True, prefix='Parameter containing:\ntensor(',
         expected='Parameter containing:\ntensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n        14., 15., 16., 17., 18., 19.], requires_grad=True)'),
    Case('precision_2', A([1.12345, 2.5]), 'float32', options={'precision': 2},
         expected='tensor([1.12, 2.50])'),
    Case('sci_mode_off', A([1e-5, 1.]), 'float32', options={'sci_mode': False},
         expected='tensor([0.0000, 1.0000])'),
    Case('sci_mode_on', A([1.5, 2.]), 'float32', options={'sci_mode': True},
         expected='tensor([1.5000e+00, 2.0000e+00])'),
    Case('sci_mode_on_zeros', A([0., 0.]), 'float32', options={'sci_mode': True},
         expected='tensor([0., 0.])'),
    Case('threshold_5', np.arange(10), 'int64', options={'threshold': 5},
         expected='tensor([0, 1, 2,  ..., 7, 8, 9])'),
    Case('edgeitems_1', np.arange(36.).reshape(6, 6), 'float32', options={'threshold': 5, 'edgeitems': 1},
         expected='tensor([[ 0.,  ...,  5.],\n        ...,\n        [30.,  ..., 35.]])'),
    Case('edgeitems_0', np.arange(10), 'int64', options={'threshold': 5, 'edgeitems': 0},
         expected='tensor([...], size=(10,))'),
    Case('edgeitems_0_unsummarised', np.arange(3), 'int64', options={'edgeitems': 0},
         expected='tensor([0, 1, 2], size=(3,))'),
    Case('profile_short', np.linspace(0, 1, 1001), 'float32', options={'profile': 'short'},
         expected='tensor([0.00, 0.00,  ..., 1.00, 1.00])'),
    Case('linewidth_30', np.arange(12), 'int64', options={'linewidth': 30},
         expected='tensor([ 0,  1,  2,  3,  4,\n         5,  6,  7,  8,  9,\n        10, 11])'),
]


@pytest.mark.parametrize("case", params(CASES))
def test_literal(case):
    assert case.engine_repr() == case.expected


@pytest.mark.parametrize("case", params(CASES))
def test_literal_table_is_what_torch_prints(case, torch):
    # Keeps the literal table honest if torch ever changes its format.
    assert case.torch_repr(torch) == case.expected


rng = np.random.default_rng(0)
MORE_CASES = [
    Case("transposed", np.arange(6.).reshape(2, 3).T / 4, "float32"),
    Case("step_slice", np.arange(40).reshape(4, 10)[:, ::3], "int64"),
    Case("reversed", (np.arange(8.) / 3)[::-1], "float64"),
    Case("randn_3d", rng.standard_normal((20, 30, 40)), "float32"),
    Case("randn_4d_summarised", rng.standard_normal((3, 4, 50, 6)), "float32"),
    Case("randn_5d_large", rng.standard_normal((2, 3, 4, 5, 6)) * 1e5, "float64"),
    Case("big_matrix", rng.standard_normal((40, 40)), "float32"),
    Case("uint8_row", np.arange(100), "uint8"),
    Case("bool_matrix", rng.random((4, 5)) < 0.5, "bool"),
    Case("bool_summarised", rng.random((40, 40)) < 0.5, "bool"),
    Case("int64_extremes", [np.iinfo(np.int64).min, 0, np.iinfo(np.int64).max], "int64"),
    Case("int32_matrix_summarised", np.arange(-2000, 2000).reshape(40, 100), "int32"),
    Case("float16_sci", [1e-4, 3.0, 60000.0], "float16"),
    Case("float16_subnormal", [6e-8, 1.0], "float16"),
    Case("float16_scalar", 2.5, "float16"),
    Case("tiny_and_huge", [[1e-8, 1e8]], "float32"),
    Case("exactly_1e8", [1e8, 1e7], "float64"),
    Case("just_under_1e-4", [1e-4, 0.5], "float64"),
    Case("ratio_exactly_1000", [0.001, 1.0], "float64"),
    Case("rounds_up_to_width", [9.99996, 1.5], "float64"),
    Case("sci_huge", [1e300, -1e-300], "float64"),
    Case("only_nonfinite", [nan, inf, -inf], "float32"),
    Case("scalar_inf", inf, "float32"),
    Case("scalar_neg_inf_grad", -inf, "float32", requires_grad=True),
    Case("nan_with_sci", [nan, 1e-6, 1.0], "float32"),
    Case("int_valued_with_inf", [inf, 100.0, -3.0], "float32"),
    Case("negative_zero_sci", [-0.0, 1e-6], "float32"),
    Case("matrix_grad_fn", np.arange(12.).reshape(3, 4) / 7, "float32", grad_fn="MulBackward0"),
    Case("float64_matrix_wraps_suffix", np.arange(18.).reshape(2, 9) + 0.5, "float64", requires_grad=True),
    Case("float16_grad_fn_long", np.arange(30.) / 3, "float16", grad_fn="MulBackward0"),
    Case("parameter_matrix", np.arange(6.).reshape(2, 3), "float32", requires_grad=True, prefix=PARAMETER),
    Case("parameter_float64_suffix_wrap", np.arange(9.) + 0.5, "float64", requires_grad=True, prefix=PARAMETER),
    Case("empty_uint8_2d", np.zeros((3, 0)), "uint8"),
    Case("empty_float16_requires_grad", np.zeros(0), "float16", requires_grad=True),
    Case("empty_4d", np.zeros((1, 2, 0, 4)), "float32"),
    Case("edge_0_matrix", np.ones((4, 4)), "float32", options={"edgeitems": 0, "threshold": 3}),
    Case("edge_0_scalar", 1.0, "float32", options={"edgeitems": 0, "threshold": 0}),
    Case("threshold_0_scalar", 7, "int64", options={"threshold": 0}),
    Case("full_profile", np.arange(1500), "int64", options={"profile": "full"}),
    Case("linewidth_narrower_than_items", np.arange(5.) / 3, "float32", options={"linewidth": 5}),
    Case("precision_0", [1.5, 2.25], "float32", options={"precision": 0}),
    Case("precision_8_float64", [1 / 3, 2 / 3], "float64", options={"precision": 8}),
    Case("sci_mode_off_huge", [1e20, 1.5], "float64", options={"sci_mode": False}),
    Case("sci_mode_on_ints", [1.0, 2.0], "float32", options={"sci_mode": True}),
    Case("sci_mode_on_ints_ignored", [1, 2], "int64", options={"sci_mode": True}),
]


@pytest.mark.parametrize("case", params(CASES + MORE_CASES))
def test_matches_torch(case, torch):
    assert case.engine_repr() == case.torch_repr(torch)


SAMPLES = [c for c in CASES + MORE_CASES if not c.options and c.prefix == "tensor("]


@pytest.mark.parametrize("options", [
    dict(precision=2), dict(precision=0), dict(precision=7), dict(sci_mode=True), dict(sci_mode=False),
    dict(profile="short"), dict(profile="full"), dict(threshold=5, edgeitems=1), dict(threshold=10, edgeitems=0),
    dict(edgeitems=0), dict(threshold=0), dict(linewidth=40), dict(linewidth=200), dict(linewidth=1),
    dict(profile="short", precision=3, sci_mode=False),
], ids=repr)
def test_options_match_torch(options, torch):
    for sample in SAMPLES:
        case = Case(sample.name, sample.values, sample.dtype, sample.requires_grad, sample.grad_fn,
                    options=options)
        assert case.engine_repr() == case.torch_repr(torch), case.name


def test_other_prefix_indents_like_a_torch_subclass(torch):
    # torch prints a Tensor subclass as "Name(...)", indenting rows by len("Name(").
    Wrapper = type("Wrapper", (torch.Tensor,), {})
    values = np.arange(40.).reshape(2, 20) / 3
    t = torch.from_numpy(values).as_subclass(Wrapper).requires_grad_(True)
    assert formatting.tensor_repr(values, dtypes.float64, True, None, "Wrapper(") == repr(t)


def test_other_default_dtype_matches_torch(torch):
    # With float64 as the default, float64 goes unnamed and float32 is named.
    cases = [Case("f32", [1.5], "float32"), Case("f64", [1.5], "float64"),
             Case("f64_empty", np.zeros(0), "float64"), Case("f32_empty", np.zeros(0), "float32"),
             Case("int", [1], "int64")]
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    dtypes.set_default_dtype(dtypes.float64)
    try:
        for case in cases:
            assert case.engine_repr() == case.torch_repr(torch), case.name
        assert cases[0].engine_repr() == "tensor([1.5000], dtype=torch.float32)"
        assert cases[1].engine_repr() == "tensor([1.5000])"
    finally:
        torch.set_default_dtype(saved)
        dtypes.set_default_dtype(dtypes.float32)


# ---- print options, without torch ----

DEFAULTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


def test_default_options():
    assert formatting.get_printoptions() == DEFAULTS


def test_profiles_and_overrides():
    with engine_options(profile="short"):
        assert formatting.get_printoptions() == dict(DEFAULTS, precision=2, edgeitems=2)
    with engine_options(profile="full", precision=6):
        assert formatting.get_printoptions() == dict(DEFAULTS, threshold=math.inf, precision=6)
    assert formatting.get_printoptions() == DEFAULTS


def test_sci_mode_resets_when_not_passed():
    # torch quirk: any set_printoptions call without sci_mode sets it back to None.
    with engine_options(sci_mode=True):
        formatting.set_printoptions(precision=3)
        assert formatting.get_printoptions() == dict(DEFAULTS, precision=3)


def test_unknown_profile_changes_nothing_and_options_are_a_copy():
    with engine_options(precision=6):
        formatting.set_printoptions(profile="nonsense", precision=None)
        options = formatting.get_printoptions()
        assert options["precision"] == 6
        options["precision"] = 1
        assert formatting.get_printoptions()["precision"] == 6


def test_printoptions_context_manager_restores():
    with engine_options(linewidth=50):
        with formatting.printoptions(precision=1):
            assert formatting.tensor_repr(A([0.25], np.float32), dtypes.float32, False, None) == "tensor([0.2])"
        assert formatting.get_printoptions() == dict(DEFAULTS, linewidth=50)


def test_options_round_trip_through_torch(torch):
    from torch._tensor_str import get_printoptions as torch_get
    for options in [dict(profile="short"), dict(profile="full", linewidth=100), dict(sci_mode=False, edgeitems=1)]:
        with engine_options(**options), torch_options(torch, **options):
            assert formatting.get_printoptions() == torch_get()


# ---- hypothesis: random arrays and options against torch ----

if given is not None:
    @st.composite
    def arrays(draw, max_side):
        """An array of any dtype and 0-4 dims, values from a seeded NumPy generator (fast at 40**4)."""
        dtype = draw(st.sampled_from(DTYPE_NAMES))
        ndim = draw(st.integers(0, 4))
        shape = tuple(draw(st.lists(st.integers(0, max_side), min_size=ndim, max_size=ndim)))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        if dtype == "bool":
            values = rng.random(shape) < 0.5
        elif dtype.startswith(("int", "uint")):
            info = np.iinfo(dtype)
            bound = draw(st.sampled_from([9, 1000, info.max]))
            values = rng.integers(max(info.min, -bound), min(info.max, bound), size=shape,
                                  dtype=dtype, endpoint=True)
        else:
            low = draw(st.integers(-6, 10))
            high = draw(st.integers(low, 10))
            values = np.asarray(10.0 ** rng.uniform(low, high, shape))
            if draw(st.booleans()):
                values *= rng.choice([-1.0, 1.0], shape)
            if draw(st.booleans()):
                values = np.asarray(np.round(values))  # whole numbers take the "3." style
            special = rng.random(shape) < draw(st.sampled_from([0.0, 0.05, 0.5]))
            values[special] = rng.choice([nan, inf, -inf, 0.0, -0.0], special.sum())
            with np.errstate(over="ignore"):  # float16 overflows to inf, the same in torch
                values = values.astype(dtype)
        view = draw(st.sampled_from(["as is", "transposed", "reversed"]))
        if view == "transposed":
            values = values.T
        elif view == "reversed" and values.ndim:
            values = values[::-1]
        requires_grad = dtype.startswith("float") and draw(st.booleans())
        grad_fn = "MulBackward0" if requires_grad and draw(st.booleans()) else None
        return Case("drawn", values, dtype, requires_grad, grad_fn)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=arrays(max_side=40))
    def test_random_arrays_match_torch(case, torch):
        assert case.engine_repr() == case.torch_repr(torch)

    print_options = st.fixed_dictionaries({}, optional={
        "precision": st.integers(0, 8),
        "threshold": st.sampled_from([0, 5, 20, 100, 1000, math.inf]),
        "edgeitems": st.integers(0, 4),
        "linewidth": st.integers(1, 120),
        "sci_mode": st.sampled_from([None, True, False]),
        "profile": st.sampled_from(["default", "short", "full"]),
    })

    @settings(max_examples=60, deadline=None)
    @given(case=arrays(max_side=12), options=print_options)
    def test_random_options_match_torch(case, options, torch):
        case.options = options
        assert case.engine_repr() == case.torch_repr(torch)
else:
    def test_random_arrays_match_torch():
        pytest.skip("hypothesis is not installed")

    def test_random_options_match_torch():
        pytest.skip("hypothesis is not installed")
