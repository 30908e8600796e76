# 11-785 Introduction to Deep Learning, lecture 5 "Learning the network",
# "Case 2. Non-differentiable activations": at the non-differentiable points any
# subgradient will do; GraphStudio takes PyTorch's: relu'(0) = 0, and
#   y = max_j z_j  ->  dy/dz_i = 1 for i = argmax_j z_j, 0 otherwise.
# Here z = relu(W x) with one unit exactly at 0 and one below it.
x = [1, 2]
W = param([[1, -0.5], [-1, -1], [0.5, 1]])
z = relu(W @ x)
y = max(z)
