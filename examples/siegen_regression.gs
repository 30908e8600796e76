# Siegen, Training fully connected networks (Moeller), slide "Backpropagation - example"
# (on the board): a one-hidden-layer fully connected regression network
#   N(x; theta) = w2 . sigma(w1 x + b1) + b2,   E(theta) = ||N(x; theta) - y||^2
# with three hidden units, at one training point (x, y) = (0.5, 1).
x = 0.5
y = 1
w1 = param([1, -2, 0.5])
b1 = param([0, 0.5, -1])
w2 = param([0.3, -0.6, 0.9])
b2 = param(0.1)
h = sigmoid(w1 * x + b1)
N = w2 @ h + b2
E = (N - y) ** 2
