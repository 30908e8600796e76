# Seoul National University, Advanced Deep Learning, Deep Feedforward Networks 2 (U Kang),
# slides "Stochastic Gradient Descent (SGD)", "Minibatch Processing" and "Example":
# the one-hidden-layer network with L2 regularisation,
#   a = W x,  h = sigma(a),  yhat = v^T h,  J = (yhat - y)^2 + lambda (||W||_F^2 + ||v||_2^2)
# trained by minibatch SGD on 40 points: g = 1/m' sum_i grad J(i), theta <- theta - eps g.
#   graphstudio train examples/seoul_sgd_l2.gs --steps 200 --lr 0.5 --batch 8
dataset("data/seoul_plane.csv")
x = data(["x1", "x2"])
y = data("y")
W = param([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
v = param([0.6, -0.2, 0.4])
lam = 0.001
a = W @ x
h = sigmoid(a)
yhat = v @ h
J = (yhat - y) ** 2 + lam * (sum(W ** 2) + sum(v ** 2))
