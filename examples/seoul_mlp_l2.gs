# Seoul National University, Advanced Deep Learning, Deep Feedforward Networks 2 (U Kang),
# slides "Example": a feedforward network with one hidden layer and L2 regularisation,
#   a = W x,  h = sigma(a),  yhat = v^T h,  J = (yhat - y)^2 + lambda (||W||_F^2 + ||v||_2^2)
# Back propagation (next slide): g = 2(yhat - y), grad_v J = g h + 2 lambda v,
# grad_h J = g v, grad_a J = grad_h J (.) sigma'(a), grad_W J = grad_a J x^T + 2 lambda W.
x = [1, -1]
y = 0.5
W = param([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
v = param([0.6, -0.2, 0.4])
lam = 0.01
a = W @ x
h = sigmoid(a)
yhat = v @ h
J = (yhat - y) ** 2 + lam * (sum(W ** 2) + sum(v ** 2))
