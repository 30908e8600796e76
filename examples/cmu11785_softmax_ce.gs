# 11-785 Introduction to Deep Learning, lecture 5 "Learning the network",
# "Special cases, Case 1. Vector activation" and "Vector formulation":
#   z = W y + b,  Y = softmax(z),  Div = cross-entropy(Y, d)
# softmax is a vector activation: each z_i influences every Y_j, so
# dDiv/dz_i = sum_j dDiv/dY_j dY_j/dz_i, which for softmax with cross-entropy is Y - d.
y = [0.5, -1, 2]
W = param([[0.1, 0.2, -0.1], [-0.3, 0.4, 0.2], [0.05, -0.2, 0.3]])
b = param([0, 0.1, -0.1])
d = [0, 0, 1]
z = W @ y + b
Y = softmax(z)
Div = cross_entropy(Y, d)
