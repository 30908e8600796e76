# Dive into Deep Learning (d2l.ai), 2.5.2 "Backward for Non-Scalar Variables":
#   x = torch.arange(4.0)
#   y = x * x
#   y.backward(gradient=torch.ones(len(y)))  # Faster: y.sum().backward()
#   x.grad  ->  tensor([0., 2., 4., 6.])
# y is a vector, and a gradient needs one number to differentiate: the backward pass starts
# from a seed of y's shape and gives the gradients of sum_i seed_i * y_i. d2l passes ones,
# the gradient of the sum of y's elements, which is also what GraphStudio seeds when a file
# gives no seed (the canvas then says "seed: sum of the elements").
# Try seed(y, [0, 1, 0, 0]): the gradients of y[1] alone, x.grad = [0, 2, 0, 0].
x = [0, 1, 2, 3]
y = x * x
seed(y, [1, 1, 1, 1])
