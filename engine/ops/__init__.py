"""The primitive operations: each a `Function` with its forward and backward side by side.

Forward computes with NumPy on the tensors' arrays; backward is written with
tensor operations, so a backward pass run with `create_graph=True` is itself
recorded and can be differentiated again.
"""
