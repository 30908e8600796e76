# Siegen, Training fully connected networks (Moeller), slides "Backpropagation - example"
# (on the board) and "Summary: Gradient descent": the one-hidden-layer regression network
#   N(x; theta) = w2 . sigma(w1 x + b1) + b2,   E(theta) = ||N(x; theta) - y||^2
# now fitted to 30 points (x, y) by gradient descent, theta(k+1) = theta(k) - tau grad E,
# with a schedule as on the slide ("30 iterations with tau1, 20 more with tau2"):
#   graphstudio train examples/siegen_fit_curve.gs --steps 300 --lr 0.5 --lr-steps 200:0.2
dataset("data/siegen_curve.csv")
x = data("x")
y = data("y")
w1 = param([1, -2, 0.5, 1.5])
b1 = param([0, 0.5, -1, 0.2])
w2 = param([0.3, -0.6, 0.9, -0.2])
b2 = param(0.1)
h = sigmoid(w1 * x + b1)
N = w2 @ h + b2
E = (N - y) ** 2
