"""engine.utils.data: datasets, samplers, batching and reproducible shuffling."""
import warnings
from collections import namedtuple

import numpy as np
import pytest

import engine
from engine.utils.data import (
    BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler, Subset, TensorDataset, default_collate,
    random_split,
)
from torch_compat import outcome, torch  # noqa: F401  (torch is a fixture)


def make_dataset(n=10):
    return TensorDataset(engine.arange(2.0 * n).reshape(n, 2), engine.arange(n))


def labels(loader):
    return [y.tolist() for _, y in loader]


def test_tensor_dataset_rows_are_tuples():
    data = make_dataset(5)
    assert len(data) == 5
    x, y = data[3]
    assert isinstance(data[3], tuple) and x.tolist() == [6.0, 7.0] and y.item() == 3
    assert data[-1][1].item() == 4
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(engine.ones(3), engine.ones(4))


def test_batches_are_stacked_rows_in_order():
    data = make_dataset(10)
    loader = DataLoader(data, batch_size=3)
    batches = list(loader)
    assert len(loader) == 4 == len(batches)
    assert [len(y) for _, y in batches] == [3, 3, 3, 1]
    assert all(isinstance(batch, list) and len(batch) == 2 for batch in batches)  # torch collates tuples to lists
    x, y = batches[1]
    assert x.shape == (3, 2) and x.dtype is engine.float32 and y.dtype is engine.int64
    assert engine.equal(x, data.tensors[0][3:6]) and y.tolist() == [3, 4, 5]
    assert labels(DataLoader(data)) == [[i] for i in range(10)]  # batch_size=1 by default


def test_drop_last_and_lengths():
    data = make_dataset(10)
    loader = DataLoader(data, batch_size=3, drop_last=True)
    assert len(loader) == 3 and [len(y) for y in labels(loader)] == [3, 3, 3]
    assert len(DataLoader(data, batch_size=5, drop_last=True)) == 2 == len(DataLoader(data, batch_size=5))
    assert len(DataLoader(data, batch_size=20)) == 1 and len(DataLoader(data, batch_size=20, drop_last=True)) == 0
    assert list(DataLoader(data, batch_size=20, drop_last=True)) == []


def test_shuffling_is_reproducible_from_the_generator_seed():
    data = make_dataset(50)

    def epochs(seed, count=2):
        loader = DataLoader(data, batch_size=8, shuffle=True, generator=engine.Generator().manual_seed(seed))
        return [sum(labels(loader), []) for _ in range(count)]

    first, second = epochs(0)
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))  # each epoch is a permutation
    assert first != list(range(50)) and first != second  # shuffled, and afresh each epoch
    assert epochs(0) == [first, second]  # the same seed gives the same orders
    assert epochs(1)[0] != first  # another seed another order
    shuffled = DataLoader(data, batch_size=8, shuffle=True, generator=engine.Generator().manual_seed(0), drop_last=True)
    assert [len(y) for y in labels(shuffled)] == [8] * 6


def test_shuffling_without_a_generator_follows_manual_seed():
    data = make_dataset(30)
    loader = DataLoader(data, batch_size=30, shuffle=True)
    engine.manual_seed(5)
    first = labels(loader)
    engine.manual_seed(5)
    assert labels(loader) == first
    assert labels(loader) != first


def test_fast_tensor_path_equals_collating_single_samples():
    data = make_dataset(23)
    generator_seed = 3
    fast = DataLoader(data, batch_size=4, shuffle=True, generator=engine.Generator().manual_seed(generator_seed))
    slow = DataLoader(data, batch_size=4, shuffle=True, generator=engine.Generator().manual_seed(generator_seed),
                      collate_fn=lambda batch: default_collate(batch))
    for (fx, fy), (sx, sy) in zip(fast, slow, strict=True):
        assert engine.equal(fx, sx) and engine.equal(fy, sy) and fx.dtype is sx.dtype and fy.dtype is sy.dtype


def test_default_collate_matches_torch(torch):
    Point = namedtuple("Point", "x y")
    batches = [
        [(1, 2.0), (3, 4.0)],
        [{"a": [1.0, 2.0], "b": "s"}, {"a": [3.0, 4.0], "b": "t"}],
        [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
        [np.float32(1.5), np.float32(2.5)],
        [True, False],
        [Point(1, 2.5), Point(3, 4.5)],
    ]
    from torch.utils.data import default_collate as torch_collate

    def plain(value):
        if hasattr(value, "numpy"):
            array = value.detach().numpy() if hasattr(value, "detach") else value.numpy()
            return ("tensor", str(value.dtype).removeprefix("torch."), array.tolist())
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return (type(value).__name__, [plain(v) for v in value])
        return value

    for batch in batches:
        assert plain(default_collate(batch)) == plain(torch_collate(batch))
    tensors = [engine.tensor([1.0, 2.0]), engine.tensor([3.0, 4.0])]
    assert default_collate(tensors).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])


def test_loader_matches_torch_batches(torch):
    x = np.arange(14.0, dtype=np.float32).reshape(7, 2)
    y = np.arange(7)
    ours = list(DataLoader(TensorDataset(engine.tensor(x), engine.tensor(y)), batch_size=3))
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=3))
    assert len(ours) == len(theirs)
    for (a, b), (c, d) in zip(ours, theirs):
        assert a.tolist() == c.tolist() and b.tolist() == d.tolist() and str(a.dtype) == str(c.dtype)


def test_custom_datasets_and_batch_size_none():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return engine.tensor([float(index)]), index**2

    x, y = next(iter(DataLoader(Squares(), batch_size=5)))
    assert x.shape == (5, 1) and y.tolist() == [0, 1, 4, 9, 16] and y.dtype is engine.int64
    samples = list(DataLoader(make_dataset(3), batch_size=None))
    assert len(samples) == 3 and isinstance(samples[0], list) and samples[0][1].item() == 0
    assert labels(DataLoader(make_dataset(6), sampler=[5, 0, 3], batch_size=2)) == [[5, 0], [3]]
    assert labels(DataLoader(make_dataset(6), batch_sampler=[[1, 2], [0]])) == [[1, 2], [0]]


def test_samplers():
    data = make_dataset(7)
    assert list(SequentialSampler(data)) == list(range(7))
    generator = engine.Generator().manual_seed(0)
    order = list(RandomSampler(data, generator=generator))
    assert sorted(order) == list(range(7)) and len(RandomSampler(data)) == 7
    with_replacement = list(RandomSampler(data, replacement=True, num_samples=20, generator=generator))
    assert len(with_replacement) == 20 and set(with_replacement) <= set(range(7))
    assert list(BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(range(5), 2, True)) == [[0, 1], [2, 3]] and len(BatchSampler(range(5), 2, True)) == 2


def test_random_split():
    data = make_dataset(10)
    train, test = random_split(data, [7, 3], generator=engine.Generator().manual_seed(0))
    assert isinstance(train, Subset) and len(train) == 7 and len(test) == 3
    seen = sorted(train.indices + test.indices)
    assert seen == list(range(10))
    again, _ = random_split(data, [7, 3], generator=engine.Generator().manual_seed(0))
    assert again.indices == train.indices
    assert train[0][1].item() == train.indices[0]
    assert [len(s) for s in random_split(data, [0.5, 0.3, 0.2])] == [5, 3, 2]
    assert [len(s) for s in random_split(make_dataset(5), [0.6, 0.4])] == [3, 2]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        random_split(data, [5, 4])
    loader = DataLoader(train, batch_size=4)
    assert sum(labels(loader), []) == train.indices


def test_loader_errors_match_torch(torch):
    def make(lib):
        return lib.utils.data.TensorDataset(lib.ones(4, 2), lib.ones(4))

    cases = [
        lambda lib: lib.utils.data.DataLoader(make(lib), shuffle=True, sampler=[0, 1]),
        lambda lib: lib.utils.data.DataLoader(make(lib), batch_size=0),
        lambda lib: lib.utils.data.DataLoader(make(lib), batch_size=None, drop_last=True),
        lambda lib: lib.utils.data.DataLoader(make(lib), batch_size=2, batch_sampler=[[0]]),
        lambda lib: lib.utils.data.DataLoader(make(lib), num_workers=-1),
        lambda lib: lib.utils.data.TensorDataset(lib.ones(3), lib.ones(4)),
        lambda lib: lib.utils.data.random_split(make(lib), [3, 3]),
        lambda lib: lib.utils.data.random_split(make(lib), [1.5, -0.5]),
        lambda lib: lib.utils.data.RandomSampler(make(lib), replacement=1),
    ]
    for case in cases:
        ours, theirs = outcome(lambda: case(engine)), outcome(lambda: case(torch))
        assert ours[0] == theirs[0] == "raised", (ours, theirs)
        assert type(ours[1]).__name__ == type(theirs[1]).__name__ and str(ours[1]) == str(theirs[1])


def test_random_split_warns_on_empty_parts():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(make_dataset(1), [0.9, 0.1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        random_split(make_dataset(4), [0.5, 0.5])


def test_training_loop_end_to_end():
    engine.manual_seed(0)
    x = engine.randn(64, 4)
    y = (x[:, 0] > 0).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True, generator=engine.Generator().manual_seed(0))
    import engine.nn as nn
    import engine.optim as optim

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(15):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    with engine.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    assert accuracy > 0.95
