# 11-785 Introduction to Deep Learning, lecture 5 "Learning the network",
# "Vector formulation" and "Special cases, Case 1. Vector activation":
#   z1 = W1 x + b1,  y1 = tanh(z1),  z2 = W2 y1 + b2,  Y = softmax(z2),  Div = Xent(Y, d)
# a two-class classifier on 40 points in the plane, d the one-hot class of each point;
# the loss is the mean divergence over the training set, Loss = 1/T sum_t Div(Y_t, d_t).
#   graphstudio train examples/cmu11785_classify.gs --steps 100 --lr 0.5
dataset("data/two_blobs.csv")
x = data(["x1", "x2"])
d = data("label", onehot=2)
W1 = param([[0.5, -0.3], [-0.4, 0.6], [0.2, 0.4]])
b1 = param([0, 0.1, -0.1])
W2 = param([[0.3, -0.5, 0.2], [-0.2, 0.4, -0.3]])
b2 = param([0, 0])
z1 = W1 @ x + b1
y1 = tanh(z1)
z2 = W2 @ y1 + b2
Y = softmax(z2)
Div = cross_entropy(Y, d)
